import { registerModel } from '../../registry';
import { pointNetModelContext } from './model-context';

registerModel({
  name: 'pointnet2-modelnet10',
  load: async () => pointNetModelContext('pointnet2-modelnet10'),
  engines: ['onnx', 'tfjs'],
});
