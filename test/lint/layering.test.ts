import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, it } from 'vitest';
import { layering } from '../../scripts/lint/layering.js';

RuleTester.describe = describe;
RuleTester.it = it;

const tester = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' } });
const rule = layering.rules['imports-go-down'];
const at = (path: string) => `${process.cwd()}/${path}`;

tester.run('imports go down', rule, {
  valid: [
    { filename: at('workflows/backup.ts'), code: "import type { ControlActivities } from '../activities/control/index.js';" },
    { filename: at('workflows/backup.ts'), code: "import { selectCopies } from '../lib/domain/copy-selection.js';" },
    { filename: at('lib/db/tenant-scope.ts'), code: "import { Problem } from '../common/problem.js';" },
    { filename: at('services/api/app.ts'), code: "import type { backupWorkflow } from '../../workflows/backup.js';" },
    { filename: at('activities/mover/backup-volume.ts'), code: "import { openOrInitRepository } from '../common/open-repository.js';" },
    { filename: at('test/api/helpers/test-api.ts'), code: "import { buildApp } from '../../../services/api/app.js';" },
  ],
  invalid: [
    // A workflow may name activities' types, never load their code.
    { filename: at('workflows/backup.ts'), code: "import { createControlActivities } from '../activities/control/index.js';", errors: 1 },
    { filename: at('workflows/backup.ts'), code: "import { jobs } from '../lib/db/schema/index.js';", errors: 1 },
    // Libraries never reach up into the processes or the work.
    { filename: at('lib/domain/runs/run-inputs.ts'), code: "import type { ApiContext } from '../../../services/api/context.js';", errors: 1 },
    { filename: at('lib/domain/copy-selection.ts'), code: "import { jobs } from '../db/schema/index.js';", errors: 1 },
    { filename: at('lib/db/tenant-scope.ts'), code: "export { startRun } from '../run-start/run.js';", errors: 1 },
    // The agent carries no control-plane code, nor one process another's.
    { filename: at('activities/cluster/backup/export-to-repository.ts'), code: "import { runHookActivities } from '../../control/run-hooks.js';", errors: 1 },
    { filename: at('services/agent/agent.ts'), code: "const m = import('../api/app.js');", errors: 1 },
    // A process names its workflows' types; loading their code is the worker's bundle's job.
    { filename: at('services/api/seams/temporal-workflow-launcher.ts'), code: "import { backupWorkflow } from '../../../workflows/backup.js';", errors: 1 },
    // `import { type X }` still loads the module under verbatimModuleSyntax: only `import type` is erased.
    { filename: at('workflows/backup.ts'), code: "import { type ControlActivities } from '../activities/control/index.js';", errors: 1 },
    // The domain is pure: workflows import it, so it may not reach Node-bound parts of lib/common.
    { filename: at('lib/domain/destination.ts'), code: "import { encryptSecret } from '../common/secrets.js';", errors: 1 },
    // The control plane never talks to Kubernetes.
    { filename: at('activities/control/jobs.ts'), code: "import { KubeRestClient } from '../../lib/kube/rest-client.js';", errors: 1 },
    // A computed path cannot be checked, so layered code may not use one.
    { filename: at('activities/mover/backup-volume.ts'), code: "const name = 'x'; const m = import(`../${name}.js`);", errors: 1 },
  ],
});
