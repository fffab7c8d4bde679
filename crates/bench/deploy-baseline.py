# The same CloudFormation calls `stackweave deploy --stack Observability` then
# `stackweave destroy --stack Observability --yes` make, from boto3: the server's own time.
import sys, time, boto3
url, template = sys.argv[1], open(sys.argv[2]).read()
cf = boto3.client("cloudformation", endpoint_url=url, region_name="eu-west-1",
                  aws_access_key_id="testing", aws_secret_access_key="testing")
name = "RefArch-dev-Observability"
def wait(check):
    delay = 0.05
    while not check():
        time.sleep(delay); delay = min(delay * 2, 5)
cs = cf.create_change_set(StackName=name, ChangeSetName="baseline", ChangeSetType="CREATE",
                          TemplateBody=template)
wait(lambda: cf.describe_change_set(ChangeSetName=cs["Id"])["Status"] == "CREATE_COMPLETE")
cf.get_template(StackName=name, TemplateStage="Original")
cf.execute_change_set(ChangeSetName=cs["Id"])
wait(lambda: cf.describe_stacks(StackName=cs["StackId"])["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE")
cf.describe_stack_events(StackName=cs["StackId"])
cf.delete_stack(StackName=name)
wait(lambda: cf.describe_stacks(StackName=cs["StackId"])["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE")
