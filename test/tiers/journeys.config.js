/** `npm run test:journeys`: the built binaries (dist/) driven through a shell, files and the socket, as a user does. */
import shared, { tierFiles } from '../../ava.config.js';

export default { ...shared, files: tierFiles('journeys') };
