// Same architecture as Stackweave's examples/api-to-express/stack.yaml, in plain CommonJS CDK.
const cdk = require('aws-cdk-lib');
const { Aws, RemovalPolicy } = cdk;
const logs = require('aws-cdk-lib/aws-logs');
const iam = require('aws-cdk-lib/aws-iam');
const sfn = require('aws-cdk-lib/aws-stepfunctions');
const apigw = require('aws-cdk-lib/aws-apigateway');

class ApiToExpressStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);

    const logGroup = new logs.LogGroup(this, 'WorkflowLogs', {
      logGroupName: `/aws/vendedlogs/states/${Aws.STACK_NAME}-workflow`,
      retention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const workflowRole = new iam.Role(this, 'WorkflowRole', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: 'Execution role of the Express workflow; may only deliver its logs',
    });
    workflowRole.addToPolicy(new iam.PolicyStatement({
      sid: 'LogDelivery',
      actions: [
        'logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups',
      ],
      resources: ['*'],
    }));

    const hello = new sfn.Pass(this, 'HelloWorld', {
      result: sfn.Result.fromObject({ message: 'Hello from Step Functions!' }),
    });

    const workflow = new sfn.StateMachine(this, 'Workflow', {
      stateMachineType: sfn.StateMachineType.EXPRESS,
      definitionBody: sfn.DefinitionBody.fromChainable(hello),
      role: workflowRole,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });

    const apiRole = new iam.Role(this, 'ApiRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'Lets API Gateway start synchronous executions of this one workflow',
    });
    apiRole.addToPolicy(new iam.PolicyStatement({
      sid: 'StartSyncExecution',
      actions: ['states:StartSyncExecution'],
      resources: [workflow.stateMachineArn],
    }));

    const api = new apigw.RestApi(this, 'Api', {
      restApiName: 'StepFunctionsApi',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      cloudWatchRole: false,
      deployOptions: { stageName: 'prod' },
    });

    const errorTemplate =
      '{"error": "$!util.escapeJavaScript($input.path(\'$.__type\'))", ' +
      '"cause": "$!util.escapeJavaScript($input.path(\'$.message\'))"}';
    const integration = new apigw.AwsIntegration({
      service: 'states',
      action: 'StartSyncExecution',
      integrationHttpMethod: 'POST',
      options: {
        credentialsRole: apiRole,
        passthroughBehavior: apigw.PassthroughBehavior.NEVER,
        requestTemplates: {
          'application/json':
            '#set($q = $input.params().querystring)\n' +
            '{"input": "{\\"param\\": \\"$util.escapeJavaScript($util.escapeJavaScript($q.get(\'param\')))\\"}", ' +
            `"stateMachineArn": "${workflow.stateMachineArn}"}`,
        },
        integrationResponses: [
          {
            statusCode: '200',
            responseTemplates: {
              'application/json':
                "#set($status = $input.path('$.status'))\n" +
                "#if($status == 'SUCCEEDED')\n$!input.path('$.output')\n#else\n" +
                "#if($status == 'TIMED_OUT')\n#set($context.responseOverride.status = 504)\n" +
                "#else\n#set($context.responseOverride.status = 500)\n#end\n" +
                '{"error": "$!util.escapeJavaScript($input.path(\'$.error\'))", ' +
                '"cause": "$!util.escapeJavaScript($input.path(\'$.cause\'))"}\n#end\n',
            },
          },
          { statusCode: '400', selectionPattern: '4\\d{2}', responseTemplates: { 'application/json': errorTemplate } },
          { statusCode: '500', selectionPattern: '5\\d{2}', responseTemplates: { 'application/json': errorTemplate } },
        ],
      },
    });

    api.root.addResource('start').addMethod('GET', integration, {
      authorizationType: apigw.AuthorizationType.IAM,
      requestParameters: { 'method.request.querystring.param': true },
      requestValidatorOptions: { validateRequestParameters: true, validateRequestBody: false },
      methodResponses: [{ statusCode: '200' }, { statusCode: '400' }, { statusCode: '500' }, { statusCode: '504' }],
    });

    new cdk.CfnOutput(this, 'ApiEndpoint', {
      description: 'Starts the workflow and returns its output (GET /start?param=value, signed with SigV4)',
      value: `${api.url}start?param=value`,
    });
  }
}

const app = new cdk.App({ analyticsReporting: false }); // no CDKMetadata resource, also when run without the CLI
new ApiToExpressStack(app, 'ApiToExpress', {
  description: 'API Gateway (GET /start) calling a Step Functions Express workflow synchronously, logged to CloudWatch Logs',
});
app.synth();
