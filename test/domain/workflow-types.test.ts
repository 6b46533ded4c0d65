import { describe, expect, it } from 'vitest';
import * as registered from '../../workflows/index.js';
import { WORKFLOW_TYPES } from '../../lib/domain/runs/workflow-types.js';

describe('workflow type names', () => {
  it('name exactly the workflows the control worker registers', () => {
    expect(Object.values(WORKFLOW_TYPES).sort()).toEqual(Object.keys(registered).sort());
  });
});
