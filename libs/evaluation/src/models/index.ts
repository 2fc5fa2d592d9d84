// The models this library evaluates: each folder registers its model when imported.
import './resnet-mnist';
import './pointnet2-modelnet10';
