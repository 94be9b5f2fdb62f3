// Types of the CDK's jest matchers that __tests__/setup.js registers (written here rather than imported
// from the CDK package, so that the CDK is imported in src/cdk/ only).
declare namespace jest {
  interface Matchers<R> {
    toHaveResourceWithProperties(resourceType: { tfResourceType: string }, properties: Record<string, unknown>): R;
  }
}
