/** `npm run test:unit`: the tests that need only Node and `npm ci`, run as any user, without a build. */
import shared, { tierFiles } from '../../ava.config.js';

export default { ...shared, files: tierFiles('unit') };
