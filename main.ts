// The app that `cdktf synth`, `cdktf plan <stack>` and `cdktf deploy` run: environments in, stacks out.
import { App } from './src/cdk/cdk-core';
import { addEnvironmentStacks, loadFleetOrExit } from './src/app';
import { stockCliLocalTarget } from './src/local/local-target';

const app = new App();
addEnvironmentStacks(app, loadFleetOrExit(), stockCliLocalTarget());
app.synth();
