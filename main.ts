// The app that `cdktf synth`, `cdktf plan <stack>` and `cdktf deploy` run: environments in, stacks out.
import { App } from 'cdktf';
import { addEnvironmentStacks, loadEnvironmentsOrExit, localTargetFromEnvironment } from './src/app';

const app = new App();
addEnvironmentStacks(app, loadEnvironmentsOrExit(), localTargetFromEnvironment());
app.synth();
