// The workflow bundle's entry point: every workflow the worker registers is exported here.
export { programmeWorkflow, regionWorkflow } from './programme.workflow';
export { rulebookRolloutWorkflow } from './rollout.workflow';
export { weeklyDigestWorkflow } from './digest.workflow';
