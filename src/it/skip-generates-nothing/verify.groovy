// -Drnnc.skip=true skips both goals: the broken spec is not read, nothing is generated, no source root is added.
def log = new File(basedir, 'build.log').text
assert log.count('rnnc: skipped (rnnc.skip)') == 1 // generate-test is not reached by 'compile'
assert !log.contains('error[')
assert new File(basedir, 'target/classes/com/example/Plain.class').isFile()
assert !new File(basedir, 'target/generated-sources/rnnc').exists()
assert !new File(basedir, 'target/rnnc').exists()
true
