/** Injection tokens of the API's infrastructure providers. */
export const API_CONFIG = Symbol('API_CONFIG');
export const DATA_SOURCE = Symbol('DATA_SOURCE');
/** The Redis client and prefix of @engram/queue's factory (createQueueConnection). */
export const QUEUE_CONNECTION = Symbol('QUEUE_CONNECTION');
export const RUN_QUEUE = Symbol('RUN_QUEUE');
