// The scalar backend is plain Java: compiled and run with no --add-modules anywhere, and no hint about it.
def java = new File(basedir, 'target/generated-sources/rnnc/com/example/plain/Forecast.java')
assert java.isFile()
assert !java.text.contains('jdk.incubator.vector')
def log = new File(basedir, 'build.log').text
assert !log.contains('rnnc: the generated classes use the Vector API')
def report = new File(basedir, 'target/surefire-reports/TEST-com.example.plain.ForecastTest.xml')
assert report.text.contains('tests="1" errors="0" skipped="0" failures="0"')
true
