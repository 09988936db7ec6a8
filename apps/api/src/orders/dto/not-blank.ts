import { ValidateBy } from 'class-validator';

/**
 * Not only whitespace: the workflow's rule (`orderProblems`), checked here too
 * so that one 400 names every bad field at once. `orderProblems` still runs
 * after the DTO and stays the authority.
 */
export const NotBlank = () =>
  ValidateBy({
    name: 'notBlank',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && value.trim() !== '',
      defaultMessage: (args) => `${args?.property ?? 'value'} must not be empty or only whitespace`,
    },
  });
