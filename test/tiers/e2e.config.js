/** `npm run test:e2e`: what needs root, FUSE, tmpfs mounts, a systemd container, Prometheus or a second user. */
import shared, { tierFiles } from '../../ava.config.js';

export default { ...shared, files: tierFiles('e2e') };
