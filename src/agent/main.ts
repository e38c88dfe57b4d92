// Process entry for the `vigil` command.
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2));
