/** Injection tokens of the API's infrastructure providers. */
export const API_CONFIG = Symbol('API_CONFIG');
export const DATA_SOURCE = Symbol('DATA_SOURCE');
export const RUN_QUEUE = Symbol('RUN_QUEUE');
