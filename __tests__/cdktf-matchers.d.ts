// Types of the cdktf jest matchers that __tests__/setup.js registers.
import 'cdktf/lib/testing/adapters/jest';
