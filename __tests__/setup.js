// The cdktf jest matchers (toHaveResourceWithProperties, toBeValidTerraform, ...).
const { Testing } = require('cdktf');

Testing.setupJest();
