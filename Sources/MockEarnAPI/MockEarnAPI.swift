// The mock earn API lands with issue 3.
public enum MockEarnAPIPlaceholder {}
