import cjs from './next.cjs';

export const { tokenRoute } = cjs;
