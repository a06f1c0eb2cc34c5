import { awscdk, javascript, typescript } from 'projen';
import { JobPermission } from 'projen/lib/github/workflows-model';

/** How both handlers are bundled, beyond the platform and target that projen sets per runtime. */
const ESM_BUNDLE: Omit<javascript.AddBundleOptions, 'platform' | 'target'> = {
  externals: [],
  sourcemap: false,
  format: 'esm',
  outfile: 'index.mjs',
  mainFields: ['module', 'main'],
};

const project = new awscdk.AwsCdkConstructLibrary({
  name: '@org/payment-platform',
  description:
    'AWS CDK constructs for payment-processing infrastructure: secure VPC, encrypted ledger, audit bucket, payment API and alarms, composed per environment profile.',
  author: 'Payment Platform Maintainers',
  authorAddress: 'maintainers@example.com',
  repositoryUrl: 'https://github.com/org/payment-platform.git',
  license: 'Apache-2.0',
  keywords: ['cdk', 'awscdk', 'payments', 'pci-dss', 'dynamodb', 'api-gateway', 'kms'],
  stability: 'experimental',

  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  // One dev tsconfig for eslint, jest and .projenrc.ts alike.
  tsconfigDevFile: 'tsconfig.dev.json',
  projenrcTsOptions: {
    runner: typescript.TypeScriptRunner.tsNode({ tsconfig: 'tsconfig.dev.json' }),
  },
  sampleCode: false,
  // The local server's modules (src/local/) are bundled into assets/local/, not compiled by jsii.
  excludeTypescript: ['src/local/**'],
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'app', 'bench', 'examples', '.projenrc.ts'],
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
  },

  // cdk-nag 3 validates through aws-cdk-lib's Validations API, which arrived in 2.257.0.
  cdkVersion: '2.257.0',
  constructsVersion: '10.5.1',
  // A bare `typescript` resolves to 7.x, which ts-node and jsii 5.9 cannot load.
  typescriptVersion: '~5.9.3',
  jsiiVersion: '~5.9.0',

  // Releases: semantic versions from Conventional Commits on main, a changelog, and every package
  // (npm, PyPI, Maven Central, Go, NuGet) published by the release workflow.
  github: true,
  release: true,
  buildWorkflow: true,
  npmAccess: javascript.NpmAccess.PUBLIC,
  releaseToNpm: true,
  depsUpgrade: true,
  depsUpgradeOptions: {
    workflowOptions: { schedule: javascript.UpgradeDependenciesSchedule.WEEKLY },
  },
  pullRequestTemplate: false,
  githubOptions: { mergify: false },
  // The release tooling (commit-and-tag-version 13) needs Node.js 22 or later; the library itself
  // is built and tested on Node.js 20 too.
  workflowNodeVersion: '24.x',
  // The public API is compared with the committed baseline in every build (see the compat task).
  compat: true,

  devDeps: [
    'cdk-nag@^3.0.2',
    '@types/node@^20',
    '@types/aws-lambda',
    'fast-check',
    // Bundled into the handler assets at build time; users install nothing of these.
    '@aws-lambda-powertools/commons',
    '@aws-lambda-powertools/logger',
    '@aws-lambda-powertools/metrics',
    '@aws-sdk/client-dynamodb',
    '@aws-sdk/client-s3',
    '@aws-sdk/client-lambda',
    // The local server's embedded DynamoDB, bundled into it at build time like the handlers' SDK.
    'dynalite@4.0.0',
    'memory-level@^3',
    // Tests only: reads the ledger's stream from moto_server to feed the audit writer real records.
    '@aws-sdk/client-dynamodb-streams',
    // Tests only: payment events. The pipe's filters run as rules of a bus on moto_server, which
    // delivers what they match to a queue; the workflow's JSONata runs on the language's reference
    // implementation, at the version that Step Functions implements (2.0.6).
    '@aws-sdk/client-eventbridge',
    '@aws-sdk/client-sqs',
    'jsonata@2.0.6',
    // Tests only: the OpenAPI document is checked against the OpenAPI 3.1 schema, and requests and
    // answers against the document's own schemas (JSON Schema 2020-12).
    '@seriousme/openapi-schema-validator',
    'ajv@^8',
    'ajv-formats',
    // Tests only: evaluates the synthesized IAM, key, topic, bucket and queue policies as IAM does.
    // AGPL-3.0-or-later; it is never bundled or shipped, so it is pinned and used by tests alone.
    '@cloud-copilot/iam-simulate@0.1.173',
    // Mutation testing of the handler code (test:mutation). StrykerJS 10 needs Node.js 22; the
    // project builds on Node.js 20, so the last 9.x is pinned.
    '@stryker-mutator/core@9.6.1',
    '@stryker-mutator/jest-runner@9.6.1',
    // The CDK CLI for the example app in app/ (`npx cdk synth -c env=dev`).
    'aws-cdk@^2',
    // The SigV4 client example in examples/ (and its test against a server on 127.0.0.1).
    '@smithy/signature-v4',
    '@smithy/hash-node',
    '@aws-sdk/credential-provider-node',
    // The deployable integration test in test/integ/: its snapshot is checked offline in CI, and
    // `npx projen integ:deploy` runs it against an account of one's own.
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    '@aws-cdk/integ-runner@^2.197.10',
  ],

  lambdaOptions: {
    runtime: awscdk.LambdaRuntime.NODEJS_24_X,
    // Bundle the SDK clients the handlers use instead of relying on the runtime's copy, so that
    // the code that was tested is the code that runs. As ES modules (`index.mjs`, which the Lambda
    // runtime imports for the handler `index.handler`), from the packages' ES module builds
    // (`module` before `main`): esbuild tree-shakes those far better than their CommonJS builds.
    // The lambda options type admits only part of what projen passes on to each bundle.
    bundlingOptions: ESM_BUNDLE as javascript.BundlingOptions,
    awsSdkConnectionReuse: false,
  },

  jestOptions: {
    // Snapshots only change when someone runs `npx projen test:update`.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 60_000,
      snapshotSerializers: ['<rootDir>/test/setup/asset-hash-serializer.ts'],
      // rosetta:docs copies package.json there; jest would otherwise see the package twice.
      modulePathIgnorePatterns: ['<rootDir>/.rosetta-docs/'],
    },
  },
  // ts-jest transpiles each test file alone (isolatedModules); type-checking happens once in the
  // `test` task (typecheckTests) instead of per file.
  tsconfigDev: { compilerOptions: { isolatedModules: true } },
  typecheckTests: true,

  publishToPypi: {
    distName: 'org-payment-platform',
    module: 'org_payment_platform',
  },
  publishToMaven: {
    javaPackage: 'org.paymentplatform',
    mavenGroupId: 'org.paymentplatform',
    mavenArtifactId: 'payment-platform',
  },
  publishToGo: {
    moduleName: 'github.com/org/payment-platform-go',
    packageName: 'paymentplatform',
  },
  publishToNuget: {
    dotNetNamespace: 'Org.PaymentPlatform',
    packageId: 'Org.PaymentPlatform',
  },
});

project.tsconfigDev.addInclude('.projenrc.ts');
project.tsconfigDev.addInclude('examples/**/*.ts');

// jsii-diff compares the public API with compat/baseline.jsii (the assembly of the last release;
// before the first release, of the API as first published here) in every build. Any removal or
// incompatible change fails, experimental APIs included, unless .compatignore lists its key: such a
// change is released as a breaking change (`feat!:`). A release replaces the baseline with its own
// assembly (`cp .jsii compat/baseline.jsii`).
project.tasks.tryFind('compat')?.reset('bash compat/run.sh');
project.postCompileTask.spawn(project.tasks.tryFind('compat')!);
project.npmignore?.exclude('/compat/', '/.compatignore');
// openapi.json, at the package's root, is the document of PaymentsApiDocument, written from the
// compiled library in every build (test/payments-api-document.test.ts checks that they agree).
const openapi = project.addTask('openapi', {
  description: 'Write openapi.json, the OpenAPI document of the payments API, from the compiled library',
  exec: 'node -e "require(\'fs\').writeFileSync(\'openapi.json\', require(\'./lib\').PaymentsApiDocument.toJson())"',
});
project.postCompileTask.spawn(openapi);
// The README's TypeScript examples must compile (fixtures in rosetta/) and translate into every
// binding language; the translations go into the tablet that jsii-pacmak uses for the bindings'
// docs, and test/readme.test.ts checks the README's C# statements against them.
const rosetta = project.addTask('rosetta:extract', {
  description: 'Compile and translate the README examples (jsii-rosetta, strict)',
  exec: 'jsii-rosetta extract --strict .jsii',
  env: { JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '1' },
});
project.postCompileTask.spawn(rosetta);
project.gitignore.exclude('/.jsii.tabl.json');
// jsii puts only the README into the assembly, so the examples of docs/ and CONTRIBUTING.md are
// compiled and translated the same way from a throwaway copy of the assembly whose readme is those
// documents (.rosetta-docs/); test/readme.test.ts checks their C# statements against its tablet.
const rosettaDocs = project.addTask('rosetta:docs', {
  description: 'Compile and translate the examples of docs/ and CONTRIBUTING.md (jsii-rosetta, strict)',
  exec: 'bash rosetta/docs.sh',
});
project.postCompileTask.spawn(rosettaDocs);
project.gitignore.exclude('/.rosetta-docs/');
project.npmignore?.exclude('/.rosetta-docs/', '/CONTRIBUTING.md');
project.npmignore?.exclude('/rosetta/');
// Handlers bundle their dependencies at build time, so those are development dependencies.
project.eslint?.allowDevDeps('src/handlers/**');
// An import circle makes module initialisation order matter; none is allowed.
project.eslint?.addRules({ 'import/no-cycle': 'error' });

// Treat every jsii warning as an error: the public API must stay clean in all five languages.
project.compileTask.reset('jsii --fail-on-warnings');

// projen's `package` runs every language target when CI is unset, which needs each language's
// toolchain and registry. The default build packages JavaScript only, everywhere; the other
// languages are packaged by their own `package:<language>` tasks.
const packageTask = project.tasks.tryFind('package');
packageTask?.reset();
packageTask?.spawn(project.tasks.tryFind('package:js')!);

// Minify the handler bundles; esbuild tree-shakes whatever the handlers do not import. Each bundle
// directory is emptied first: the Lambda runtime would load a stale `index.js` before `index.mjs`.
// Of the TypeScript settings, esbuild needs only these two; given tsconfig.dev.json, it would also
// follow `alwaysStrict` and open each of the bundle's hundreds of modules with "use strict", about
// 6 KB of directives that an ES module, strict already, does not need.
const HANDLER_TSCONFIG = JSON.stringify({ compilerOptions: { experimentalDecorators: true, useDefineForClassFields: true } });
for (const task of project.tasks.all.filter((t) => t.name.startsWith('bundle:') && t.name.endsWith('.lambda'))) {
  const args = task.steps[0]?.execArgs;
  if (args) {
    const outdir = `assets/${task.name.slice('bundle:'.length)}`;
    task.reset(`rm -rf ${outdir}`);
    const settings = args.map((arg) => (arg.startsWith('--tsconfig=') ? `--tsconfig-raw='${HANDLER_TSCONFIG}'` : arg));
    task.exec([...settings, '--minify'].join(' '));
  }
}

// The local server (`npx payment-platform-local`, `npm start`): one ES module, built by
// src/local/bundle.ts, which loads the handler bundles from assets/handlers/ as Lambda would.
const bundleLocal = project.addTask('bundle:local', {
  description: 'Bundle the local server into assets/local/cli/index.mjs',
  steps: [
    { exec: 'rm -rf assets/local' },
    { exec: 'ts-node --project tsconfig.dev.json --transpile-only src/local/bundle.ts' },
    { exec: 'chmod +x assets/local/cli/index.mjs' },
  ],
});
project.tasks.tryFind('bundle')!.spawn(bundleLocal);
project.addFields({ bin: { 'payment-platform-local': 'assets/local/cli/index.mjs' } });
project.addTask('start', {
  description: 'Serve the payments API on 127.0.0.1 with the local server (see README)',
  steps: [{ spawn: 'bundle' }, { exec: 'node assets/local/cli/index.mjs', receiveArgs: true }],
});
// The local server's modules are bundled, not part of the library's API.
project.eslint?.allowDevDeps('src/local/**');

// The handler tests run against moto_server on 127.0.0.1; install it where the machine lacks it.
project.testTask.prependExec('bash test/setup/ensure-moto.sh', {
  name: 'Install moto_server for the handler tests if it is missing',
});

// pacmak's Go build runs `go mod tidy` on the generated module, which asks the Go module proxy for
// the cloud assembly schema that aws-cdk-lib's npm package bundles (53.28.0); the proxy reachable
// here does not serve it. Generate the module only; the Go smoke app in test/bindings/go compiles it
// against the schema aws-cdk-go itself requires.
project.tasks.tryFind('package:go')?.reset('jsii-pacmak -v --target go --code-only');
// No .NET SDK exists on these machines: generate the C# sources without building them.
project.tasks.tryFind('package:dotnet')?.reset('jsii-pacmak -v --target dotnet --code-only');

project.addTask('test:deep', {
  description: 'Runs the property-based tests with 100,000 cases each instead of 10,000',
  env: { PROPERTY_RUNS: '100000' },
  exec: 'jest --coverage=false --testPathPatterns "(property|json-reader)\\.test\\.ts$"',
});

project.addTask('test:mutation', {
  description: 'Mutation testing of src/handlers/ (StrykerJS): tests the mutants that changed since test/mutation/stryker-incremental.json',
  exec: 'bash test/mutation/run.sh',
  receiveArgs: true,
});
project.addTask('test:mutation:full', {
  description: 'Mutation testing of every mutant in src/handlers/ again, from scratch; rewrites the incremental state',
  exec: 'bash test/mutation/run.sh --force',
});

// Every Monday, the full mutation run on GitHub: its score fails the job below the break threshold,
// and its report, the state for incremental runs and the rewritten docs/quality.md are kept as an
// artifact to commit.
const mutationWorkflow = project.github!.addWorkflow('mutation');
mutationWorkflow.on({ schedule: [{ cron: '0 3 * * 1' }], workflowDispatch: {} });
mutationWorkflow.addJobs({
  mutation: {
    runsOn: ['ubuntu-latest'],
    permissions: { contents: JobPermission.READ },
    timeoutMinutes: 360,
    steps: [
      { name: 'Checkout', uses: 'actions/checkout@v5' },
      { name: 'Setup Node.js', uses: 'actions/setup-node@v5', with: { 'node-version': '24.x' } },
      { name: 'Setup Python', uses: 'actions/setup-python@v6', with: { 'python-version': '3.11' } },
      { name: 'Install dependencies', run: 'npm ci' },
      { name: 'Mutation testing, every mutant', run: 'npx projen test:mutation:full' },
      {
        name: 'Upload the report',
        if: 'always()',
        uses: 'actions/upload-artifact@v5',
        with: {
          'name': 'mutation-report',
          'path': 'reports/mutation/\ndocs/quality.md\ntest/mutation/stryker-incremental.json',
          'if-no-files-found': 'ignore',
        },
      },
    ],
  },
});

project.addTask('test:bindings', {
  description: 'Packages Python, Java and Go, runs a smoke app in each, and compares their templates with TypeScript',
  exec: 'bash test/bindings/run.sh',
});

project.addTask('compliance', {
  description: 'Runs cfn-lint, checkov and the cdk-nag packs over the three stock environments and prints one table',
  exec: 'bash test/compliance/run.sh',
});

project.addTask('bench', {
  description: 'Measures the handler, warm throughput, synthesis, cost and capacity against their floors; writes docs/benchmarks.md',
  steps: [
    { spawn: 'bundle' },
    { exec: 'bash test/setup/ensure-moto.sh' },
    { exec: 'ts-node --project tsconfig.dev.json --transpile-only bench/run.ts' },
  ],
});
project.addTask('bench:capacity', {
  description: 'What the stock profiles (or the profile in the given JSON file) carry in AWS, by the capacity model',
  steps: [{ exec: 'ts-node --project tsconfig.dev.json --transpile-only bench/capacity-report.ts', receiveArgs: true }],
});

// Schemathesis against the local server, from the document it serves (test/contract/run.sh).
project.addTask('test:contract', {
  description: 'Property-based contract test of the local server with Schemathesis, stateful phase included',
  exec: 'bash test/contract/run.sh',
});
project.gitignore.exclude('/test/contract/.venv/', '/test/contract/.schemathesis/', '/test/contract/.hypothesis/');

project.addTask('test:consumer', {
  description: 'Installs the packed library into a fresh CDK app, synthesizes each stock profile and checks the templates',
  exec: 'bash test/consumer/run.sh',
});

// The integration test in test/integ/ (integ-tests-alpha, run by integ-runner). Its snapshot is
// compared offline; only integ:deploy talks to AWS, with the caller's own credentials.
const integRunner = 'integ-runner --directory test/integ --language typescript --app "node -r ts-node/register/transpile-only {filePath}"';
const integEnv = { TS_NODE_PROJECT: 'tsconfig.dev.json' };
project.addTask('integ:snapshot', {
  description: 'Synthesizes the integration test and compares it with its committed snapshot, offline',
  env: integEnv,
  steps: [{ spawn: 'bundle' }, { exec: `${integRunner} --parallel-regions us-east-1` }],
});
project.addTask('integ:update', {
  description: 'Rewrites the integration test\'s snapshot without deploying (after a deliberate change)',
  env: integEnv,
  steps: [{ spawn: 'bundle' }, { exec: `${integRunner} --parallel-regions us-east-1 --update-on-failed --dry-run` }],
});
project.addTask('integ:deploy', {
  description: 'Deploys the integration test to the account of the current AWS credentials, runs its assertions and deletes it (region: us-east-1, or --parallel-regions <region>)',
  env: integEnv,
  steps: [{ spawn: 'bundle' }, { exec: `${integRunner} --update-on-failed --force`, receiveArgs: true }],
});

project.gitignore.exclude('/test/integ/cdk-integ.out.*/', '/test/integ/**/cdk.out/');
project.gitignore.exclude('/cdk.out/', '/.cdk-test-out/', '*.pyc', '__pycache__/', '/test/bindings/java/target/', '/test/bindings/.out/', '/test/bindings/python/.venv/', '/test/compliance/.venv/', '/test/compliance/.out*/', '/test/compliance/weakened.log');
// Mutation testing: the sandbox and the full report are not kept; the incremental state is.
project.gitignore.exclude('/.stryker-tmp/', '/reports/');
project.npmignore?.exclude('/stryker.config.mjs', '/.stryker-tmp/', '/reports/');
project.npmignore?.exclude('/examples/', '/cdk.out/', '/.ci/', '/docs/', '/app/', '/bench/', '/cdk.json', '/.checkov.yaml', '/.cfnlintrc.yaml');

project.synth();
