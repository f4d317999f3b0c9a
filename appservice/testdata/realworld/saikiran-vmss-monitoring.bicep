// source: https://github.com/saikiran2297/Azure-IaC-Secure-Web-App-Deployment-with-Monitoring-Automation/blob/567a0db04182e520584b424431d49b512d621bc1/infra/modules/monitoring.bicep
// repo saikiran2297/Azure-IaC-Secure-Web-App-Deployment-with-Monitoring-Automation, path infra/modules/monitoring.bicep, commit 567a0db04182e520584b424431d49b512d621bc1
param location string
param projectName string
param vmssId string

resource autoscale 'Microsoft.Insights/autoscaleSettings@2022-10-01' = {
  name: 'as-${projectName}'
  location: location
  properties: {
    enabled: true
    targetResourceUri: vmssId
    profiles: [
      {
        name: 'cpu-based'
        capacity: {
          minimum: '2'
          maximum: '6'
          default: '2'
        }
        rules: [
          {
            metricTrigger: {
              metricName: 'Percentage CPU'
              metricResourceUri: vmssId
              timeGrain: 'PT1M'
              statistic: 'Average'
              timeWindow: 'PT5M'
              timeAggregation: 'Average'
              operator: 'GreaterThan'
              threshold: 70
            }
            scaleAction: {
              direction: 'Increase'
              type: 'ChangeCount'
              value: '1'
              cooldown: 'PT5M'
            }
          }
          {
            metricTrigger: {
              metricName: 'Percentage CPU'
              metricResourceUri: vmssId
              timeGrain: 'PT1M'
              statistic: 'Average'
              timeWindow: 'PT10M'
              timeAggregation: 'Average'
              operator: 'LessThan'
              threshold: 30
            }
            scaleAction: {
              direction: 'Decrease'
              type: 'ChangeCount'
              value: '1'
              cooldown: 'PT10M'
            }
          }
        ]
      }
    ]
  }
}
