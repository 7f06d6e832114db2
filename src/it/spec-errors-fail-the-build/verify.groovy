// Every diagnostic is logged as file:line:col with the line and a caret, and the build fails with the count.
def log = new File(basedir, 'build.log').text
def expected = '''\
[ERROR] src/main/rnn/mgu.rnn:6:10: error[RNN0201]: unknown function 'sigmod'; did you mean 'sigmoid'?
[ERROR]         f  = sigmod(W_f @ x + U_f @ h + b_f);
[ERROR]              ^~~~~~
[ERROR] src/main/rnn/nets/tagger.rnn:5:5: error[RNN0103]: unknown layer 'lstn'; did you mean 'lstm'?
[ERROR]         lstn(16, return_sequences = true);
[ERROR]         ^~~~
'''
assert log.replace('\r\n', '\n').contains(expected)
assert log =~ /\[ERROR\] Failed to execute goal io\.github\.rnnc:rnnc-maven-plugin:[^ ]+:generate \(default\) on project spec-errors-fail-the-build: rnnc: 2 errors in 2 files/
// Nothing is generated, not even the class of the spec without errors, and no state is recorded.
assert !new File(basedir, 'target/generated-sources/rnnc').exists()
assert !new File(basedir, 'target/rnnc').exists()
true
