// `node --import ./register-record-imports.mjs ...` installs the resolve hook of record-imports.mjs.
import { register } from 'node:module';

register('./record-imports.mjs', import.meta.url);
