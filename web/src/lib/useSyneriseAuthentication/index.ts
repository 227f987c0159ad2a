export * from './useSyneriseAuthentication';
