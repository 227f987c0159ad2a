import cjs from './express.cjs';

export const { syneriseToken } = cjs;
