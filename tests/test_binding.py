"""The aws_output marker, list parametrization, missing bindings and the generic aws fixture."""

from __future__ import annotations

import pytest

OUTPUTS = {"logs_bucket": "b-logs", "rules_bucket": "b-rules", "state_table_name": "tbl",
           "lambda_names": {"detector": "fn-detector"}, "port": 8080}


@pytest.fixture
def project(pytester, write_outputs, aws_env):
    write_outputs(OUTPUTS)
    s3 = aws_env.client("s3")
    for bucket in ("b-logs", "b-rules"):
        s3.create_bucket(Bucket=bucket)
    return pytester


def test_list_binding_parametrizes_with_readable_ids(project) -> None:
    project.makepyfile("""
        import pytest
        @pytest.mark.aws_output(s3_bucket=["logs_bucket", "rules_bucket"])
        def test_bucket(s3_bucket):
            assert s3_bucket.exists
    """)
    result = project.runpytest("--aws-outputs", "outputs.json", "-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*test_bucket[[]logs_bucket[]] PASSED*",
                                 "*test_bucket[[]rules_bucket[]] PASSED*"])


def test_jsonpath_binding_and_id(project) -> None:
    project.makepyfile("""
        import pytest
        @pytest.mark.aws_output(lambda_fn=["$.lambda_names.detector"])
        def test_fn(lambda_fn):
            assert lambda_fn.name == "fn-detector"
    """)
    result = project.runpytest("--aws-outputs", "outputs.json", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*test_fn[[]lambda_names.detector[]] PASSED*"])


def test_module_and_class_markers_apply_closest_first(project) -> None:
    project.makepyfile("""
        import pytest
        pytestmark = pytest.mark.aws_output(s3_bucket="logs_bucket")
        def test_module(s3_bucket):
            assert s3_bucket.name == "b-logs"
        @pytest.mark.aws_output(s3_bucket="rules_bucket")
        class TestRules:
            def test_class(self, s3_bucket):
                assert s3_bucket.name == "b-rules"
    """)
    project.runpytest("--aws-outputs", "outputs.json").assert_outcomes(passed=2)


@pytest.mark.parametrize("xdist", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_unbound_fixture_is_one_usage_error_saying_which_marker_to_add(project, xdist) -> None:
    project.makepyfile("""
        import pytest
        @pytest.mark.parametrize("n", range(30))
        def test_t(dynamo_table, n):
            pass
        @pytest.mark.parametrize("s3_bucket", ["logs_bucket"], indirect=True)
        def test_parametrized_by_hand(s3_bucket):
            assert s3_bucket.name == "b-logs"
    """)
    result = project.runpytest("--aws-outputs", "outputs.json", *xdist)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([
        "ERROR: fixture 'dynamo_table' of test_unbound*::test_t?0? (and 29 more) is not bound "
        "to an output; add @pytest.mark.aws_output(dynamo_table=\"logs_bucket\")*"])
    assert len(result.stderr.str().strip().splitlines()) == 1
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert "test_parametrized_by_hand" not in result.stderr.str()


def test_a_project_fixture_of_the_same_name_needs_no_marker(project) -> None:
    project.makeconftest("""
        import pytest
        @pytest.fixture
        def s3_bucket(aws):
            return aws.s3_bucket("b-rules")
    """)
    project.makepyfile("def test_t(s3_bucket):\n    assert s3_bucket.exists\n")
    project.runpytest("--aws-outputs", "outputs.json").assert_outcomes(passed=1)


BAD_MARKERS = {
    "unknown-fixture": ('@pytest.mark.aws_output(dynamo_tabel="state_table_name")',
                        "unknown resource fixture 'dynamo_tabel'; did you mean 'dynamo_table'*"),
    "int": ("@pytest.mark.aws_output(dynamo_table=42)", "expected an output key*got 42"),
    "positional": ('@pytest.mark.aws_output("state_table_name")',
                   "aws_output() takes fixture=output keywords, e.g. "
                   "aws_output(dynamo_table='state_table_name')*"),
    "bare": ("@pytest.mark.aws_output", "aws_output() needs at least one fixture=output*"),
    "empty-list": ("@pytest.mark.aws_output(dynamo_table=[])", "*non-empty list*got ??"),
    "list-with-int": ('@pytest.mark.aws_output(dynamo_table=["state_table_name", 7])',
                      "*got ?'state_table_name', 7?"),
}


@pytest.mark.parametrize("xdist", [(), ("-n", "2")], ids=["serial", "xdist"])
@pytest.mark.parametrize("case", BAD_MARKERS)
def test_bad_marker_arguments_are_one_usage_error(project, case, xdist) -> None:
    marker, message = BAD_MARKERS[case]
    project.makepyfile(f"""
        import pytest
        pytestmark = pytest.mark.aws_output(s3_bucket="logs_bucket")
        {marker}
        def test_t(dynamo_table): pass
        {marker}
        def test_u(dynamo_table): pass
        def test_fine(s3_bucket): pass
    """)
    result = project.runpytest("--aws-outputs", "outputs.json", *xdist)
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str()
    result.stderr.fnmatch_lines(["ERROR: invalid aws_output markers:",
                                 f"  test_bad_marker*.py::test_t (and 1 more): *{message}"])
    output = result.stdout.str() + result.stderr.str()
    assert output.count("invalid aws_output markers") == 1
    assert "Traceback" not in output and "_pytest" not in output and "signature" not in output


def test_non_string_output_explains_jsonpath(project) -> None:
    project.makepyfile("""
        import pytest
        @pytest.mark.aws_output(lambda_fn="lambda_names")
        def test_t(lambda_fn): pass
    """)
    result = project.runpytest("--aws-outputs", "outputs.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: *test_t: *output 'lambda_names' is a JSON object*$.lambda_names.<field>*"])


def test_generic_aws_fixture(project) -> None:
    project.makepyfile("""
        def test_literal(aws):
            assert aws.s3_bucket("b-logs").exists
            assert not aws.s3_bucket("nope").exists
        def test_from_output(aws):
            assert aws.from_output("s3_bucket", "rules_bucket").name == "b-rules"
        def test_unknown_type(aws):
            aws.s3_buckett("x")
    """)
    result = project.runpytest("--aws-outputs", "outputs.json")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*no resource type 's3_buckett'*"])


def test_without_outputs_tests_needing_them_are_one_usage_error(pytester, aws_env) -> None:
    pytester.makepyfile("""
        import pytest
        @pytest.mark.aws_output(s3_bucket="logs_bucket")
        def test_t(s3_bucket): pass
        def test_u(aws_outputs): pass
        def test_literal_names_need_no_outputs(aws): pass
    """)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: 2 test(s) need deploy outputs (e.g. *::test_t): "
                                 "pass --aws-outputs PATH*"])
    pytester.runpytest("-k", "literal").assert_outcomes(passed=1)


def test_markers_are_registered(pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.aws_output(**fixture_to_output)*",
                                 "@pytest.mark.aws_remediation(text)*"])
    pytester.makepyfile("""
        import pytest
        @pytest.mark.aws_remediation("page the on-call")
        def test_t(): pass
    """)
    pytester.runpytest("--strict-markers").assert_outcomes(passed=1)


def test_cdk_bootstrap_defaults_to_cdktoolkit(pytester, aws_env) -> None:
    template = ('{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}, '
                '"Outputs": {"BootstrapVersion": {"Value": "21"}}}')
    aws_env.client("cloudformation").create_stack(StackName="CDKToolkit", TemplateBody=template)
    pytester.makepyfile("""
        def test_bootstrap(cdk_bootstrap):
            assert cdk_bootstrap.name == "CDKToolkit"
            assert cdk_bootstrap.version_at_least(21)
    """)
    pytester.runpytest().assert_outcomes(passed=1)
