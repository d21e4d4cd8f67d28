import { ValueObject } from '@platform/shared-kernel';

/** A value object that wraps one normalised string. */
export abstract class TextValue extends ValueObject<{ value: string }> {
  protected constructor(value: string) {
    super({ value });
  }

  get value(): string {
    return this.props.value;
  }

  override toString(): string {
    return this.props.value;
  }
}
