/** `npm run test:integration`: arenad, arenactl and their helpers as real processes started from the sources, as any user. */
import shared, { tierFiles } from '../../ava.config.js';

export default { ...shared, files: tierFiles('integration') };
