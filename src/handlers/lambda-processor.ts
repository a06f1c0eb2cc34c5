import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ProcessorCallError, ProcessorFailure, Processor, ProcessorSettings } from './processor-client';
import { ProcessorOutcome, ProcessorRequest, readProcessorAnswer } from './processor-protocol';

/**
 * The processor that `PaymentApi` configures for the handler and the completer, if any:
 * `PROCESSOR_FUNCTION_NAME`, `PROCESSOR_TIMEOUT_MS` and `PROCESSOR_KEY_RETENTION_SECONDS`.
 */
export function processorFromEnvironment(environment: NodeJS.ProcessEnv = process.env): ProcessorSettings | undefined {
  const functionName = environment.PROCESSOR_FUNCTION_NAME;
  if (!functionName) {
    return undefined;
  }
  const timeoutMs = Number(environment.PROCESSOR_TIMEOUT_MS);
  return {
    processor: new LambdaProcessor(new LambdaClient({ maxAttempts: 1 }), functionName, timeoutMs),
    timeoutMs,
    keyRetentionMs: Number(environment.PROCESSOR_KEY_RETENTION_SECONDS) * 1000,
  };
}

/**
 * A processor behind a Lambda function, invoked synchronously with the request as its event and
 * its answer as the function's result. One attempt per call, bounded by the processor timeout: a
 * retry is the client's or the completer's, with the same idempotency key.
 */
export class LambdaProcessor implements Processor {
  constructor(private readonly client: LambdaClient, private readonly functionName: string, private readonly timeoutMs: number) {}

  public async charge(request: ProcessorRequest): Promise<ProcessorOutcome> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    let answer: Uint8Array | undefined;
    try {
      const result = await this.client.send(new InvokeCommand({
        FunctionName: this.functionName,
        Payload: Buffer.from(JSON.stringify(request)),
      }), { abortSignal: abort.signal });
      if (result.FunctionError !== undefined) {
        // The error's payload may quote the request (a token): only that it failed is kept.
        throw new ProcessorCallError(ProcessorFailure.ERROR);
      }
      answer = result.Payload;
    } catch (error) {
      if (error instanceof ProcessorCallError) {
        throw error;
      }
      throw abort.signal.aborted
        ? new ProcessorCallError(ProcessorFailure.TIMEOUT)
        : new ProcessorCallError(ProcessorFailure.UNREACHABLE, (error as Error).name);
    } finally {
      clearTimeout(timer);
    }
    return readAnswer(answer);
  }
}

/** The function's result as the contract reads it. */
function readAnswer(payload: Uint8Array | undefined): ProcessorOutcome {
  let answer: unknown;
  try {
    answer = JSON.parse(Buffer.from(payload ?? []).toString('utf8'));
  } catch {
    throw new ProcessorCallError(ProcessorFailure.INVALID_ANSWER, 'not JSON');
  }
  try {
    return readProcessorAnswer(answer);
  } catch (error) {
    throw new ProcessorCallError(ProcessorFailure.INVALID_ANSWER, (error as Error).message);
  }
}
