import { register } from 'node:module';
register(new URL('./packageLog.mjs', import.meta.url));
