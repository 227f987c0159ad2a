// The ESM entry: the same objects as the CommonJS one (one addon, one module instance).
import cjs from './index.cjs';

export const { Issuer, PerMinute, SyneriseAuthError, answerTokenRequest, isSameSite, customerUuid, identityHash } = cjs;
