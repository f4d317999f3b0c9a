// source: https://github.com/microsoft/PubSec-Info-Assistant/blob/002295ea574055b78d827a3e148e7e0a451ec9ba/infra/core/host/enrichmentappserviceplan.bicep
// repo microsoft/PubSec-Info-Assistant, path infra/core/host/enrichmentappserviceplan.bicep, commit 002295ea574055b78d827a3e148e7e0a451ec9ba (excerpt: the autoscale resource)
resource scaleOutRule 'Microsoft.Insights/autoscalesettings@2022-10-01' = {
  name: appServicePlan.name
  location: location
  properties: {
    enabled: true
    profiles: [
      {
        name: 'Scale out condition'
        capacity: {
          maximum: '3'
          default: '1'
          minimum: '1'
        }
        rules: [
          {
            scaleAction: {
              direction: 'Increase'
              type: 'ChangeCount'
              value: '1'
              cooldown: 'PT5M'
            }
            metricTrigger: {
              metricName: 'ApproximateMessageCount'
              metricNamespace: ''
              metricResourceUri: storageAccountId
              operator: 'GreaterThan'
              statistic: 'Average'
              threshold: 10
              timeAggregation: 'Average'
              timeGrain: 'PT1M'
              timeWindow: 'PT10M'
              dividePerInstance: true
            }
          }
        ]
      }
    ]
    targetResourceUri: appServicePlan.id
  }
}
