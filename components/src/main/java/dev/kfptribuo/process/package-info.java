/** Child processes that die with the JVM that started them: local trials, test servers. */
package dev.kfptribuo.process;
