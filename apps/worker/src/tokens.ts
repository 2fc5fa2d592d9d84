export const WORKER_CONFIG = Symbol('WORKER_CONFIG');
export const DATA_SOURCE = Symbol('DATA_SOURCE');
/** The Redis client and prefix of @engram/queue's factory (createQueueConnection). */
export const QUEUE_CONNECTION = Symbol('QUEUE_CONNECTION');
