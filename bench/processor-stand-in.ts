/**
 * The simulated processor behind a loopback Lambda Invoke server, in a process of its own so that
 * its CPU time is not counted as the handler's. Prints its endpoint on the first line of stdout and
 * serves until stdin closes.
 */
import { LambdaStandIn } from '../test/handlers/lambda-stand-in';

// Idle connections stay open for the whole run: between one handler's rounds they wait longer than
// Node's 5 s, and a reset met by a caller that does not retry would end the benchmark.
void LambdaStandIn.start({ keepAliveTimeoutMs: 30 * 60_000 }).then((standIn) => {
  process.stdout.write(`${standIn.endpoint}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void standIn.stop().then(() => process.exit(0)));
});
