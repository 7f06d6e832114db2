package com.example;

/** The project's own code still compiles when rnnc is skipped. */
public final class Plain {
    private Plain() {
    }
}
