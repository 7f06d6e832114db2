// Test specs go to target/generated-test-sources/rnnc, are compiled with the tests only, and run.
assert new File(basedir, 'target/generated-test-sources/rnnc/com/example/fixtures/Echo.java').isFile()
assert new File(basedir, 'target/test-classes/com/example/fixtures/Echo.class').isFile()
assert !new File(basedir, 'target/generated-sources/rnnc').exists()
assert !new File(basedir, 'target/classes/com/example/fixtures/Echo.class').exists()
assert new File(basedir, 'target/rnnc/generate-test.state').isFile()
def report = new File(basedir, 'target/surefire-reports/TEST-com.example.fixtures.EchoTest.xml')
assert report.text.contains('tests="1" errors="0" skipped="0" failures="0"')
true
