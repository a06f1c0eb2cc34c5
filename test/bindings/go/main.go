// A Go user's CDK app, holding the Go examples of the README and docs/profiles.md: the stock
// staging platform, as in the smallest example, and one derived from the production profile.
// Writes to $CDK_OUTDIR.
package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/org/payment-platform-go/paymentplatform"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)

	stack := stackIn(app, "Payments", paymentplatform.Profiles_Staging())
	paymentplatform.NewPaymentPlatform(stack, jsii.String("P"), paymentplatform.Profiles_Staging(), nil)

	custom := paymentplatform.Profiles_Derive(paymentplatform.Profiles_Production(),
		&paymentplatform.EnvironmentProfileOverrides{Region: jsii.String("eu-west-1"), ApiRateLimit: jsii.Number(2500)})
	paymentplatform.NewPaymentPlatform(stackIn(app, "Custom", custom), jsii.String("P"), custom, nil)

	for _, artifact := range *app.Synth(nil).Stacks() {
		template := artifact.Template().(map[string]interface{})
		resources := template["Resources"].(map[string]interface{})
		fmt.Printf("go: %s in %s: %d resources\n", *artifact.StackName(), *artifact.Environment().Region, len(resources))
	}
}

func stackIn(app awscdk.App, id string, profile *paymentplatform.EnvironmentProfile) awscdk.Stack {
	return awscdk.NewStack(app, jsii.String(id), &awscdk.StackProps{
		Env: &awscdk.Environment{Region: profile.Region},
	})
}
