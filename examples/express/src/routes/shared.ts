export { sendDispatch } from './commands.js';
export { visibleOrder as visibleOrderFor } from './orders.js';
