export { ConfigError, EnvReader } from './env';
