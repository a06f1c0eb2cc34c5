import { OutputCapture } from './events';
import { MotoServer } from './moto';

/** What the tests of a file of cold starts share. */
export interface ColdStartSuite {
  /** The file's moto_server, which every cold start uses as its AWS endpoint. */
  readonly moto: () => MotoServer;
  /** Everything the file's tests write; read a test's own lines from a mark (`linesSince`). */
  readonly output: OutputCapture;
}

/**
 * The set-up of a test file whose tests each start a handler module afresh (`coldStart`): one
 * moto_server for the file, on which `prepare` creates the tables and buckets the handler needs;
 * output captured from then on; the SDK pointed at the server before each test; and the
 * environment, which a cold start changes, put back after each test and after the file.
 *
 * Under the mutation run's bail environment a file's set-up may be skipped, so nothing here assumes
 * that the server was started.
 */
export function coldStartSuite(prepare: (moto: MotoServer) => Promise<void> = async () => undefined): ColdStartSuite {
  let moto: MotoServer | undefined;
  const output = new OutputCapture();
  const saved = { ...process.env };
  beforeAll(async () => {
    moto = await MotoServer.start();
    await prepare(moto);
    output.start();
  });
  beforeEach(() => moto?.useAsAwsEndpoint());
  afterEach(() => {
    process.env = { ...saved };
  });
  afterAll(async () => {
    output.stop();
    process.env = { ...saved };
    await moto?.stop();
  });
  return { moto: () => moto!, output };
}
