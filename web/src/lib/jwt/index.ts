export * from './decodeJwt';
