// The CDK's jest matchers (toHaveResourceWithProperties, ...), through the one module that imports the CDK.
const { Testing } = require('../src/cdk/cdk-core');

Testing.setupJest();
