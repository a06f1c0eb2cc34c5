// A Go user's CDK app: the stock staging platform and one derived from it.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/org/payment-platform-go/paymentplatform"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(os.Args[1])})

	staging := paymentplatform.Profiles_Staging()
	paymentplatform.NewPaymentPlatform(stackIn(app, "Smoke-staging", staging), jsii.String("Payments"), staging, nil)

	custom := paymentplatform.Profiles_Derive(staging, &paymentplatform.EnvironmentProfileOverrides{
		Region:       jsii.String("eu-west-1"),
		ApiRateLimit: jsii.Number(250),
	})
	paymentplatform.NewPaymentPlatform(stackIn(app, "Smoke-custom", custom), jsii.String("Payments"), custom, nil)

	for _, stack := range *app.Synth(nil).Stacks() {
		template := stack.Template().(map[string]interface{})
		resources := template["Resources"].(map[string]interface{})
		fmt.Printf("go: %s in %s: %d resources\n", *stack.StackName(), *stack.Environment().Region, len(resources))
	}
}

func stackIn(app awscdk.App, id string, profile *paymentplatform.EnvironmentProfile) awscdk.Stack {
	return awscdk.NewStack(app, jsii.String(id), &awscdk.StackProps{
		Env: &awscdk.Environment{Region: profile.Region},
	})
}
