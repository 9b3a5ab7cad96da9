// `node lib/serve-cli.js DIST [PORT] [PREFIX]`: serves a built page until interrupted.
import { serve } from './server.js';

const [dist = '../../dist', port = '8080', prefix = '/'] = process.argv.slice(2);
const server = await serve(dist, { port: Number(port), prefix });
console.log(`Serving ${dist} at ${server.url} (Ctrl-C to stop)`);
