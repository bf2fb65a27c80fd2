// Tests log the Temporal SDK's warnings and errors only; its INFO lines (bundles, state changes) drown the report.
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger('WARN') });
