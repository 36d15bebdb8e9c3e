package io.queuedeck.engine.policy;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The name a policy is registered under, on the policy class itself. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface PolicyName {
    String value();
}
