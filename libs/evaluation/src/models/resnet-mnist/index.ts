import { registerModel } from '../../registry';
import { modelContext } from './model-context';

registerModel({
  name: 'resnet-mnist',
  load: async () => modelContext('resnet-mnist'),
  engines: ['onnx', 'tfjs'],
});
