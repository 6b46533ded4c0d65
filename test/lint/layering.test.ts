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
  ],
});
