# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
COPY --chown=a`:b C:\src C:\dst
RUN powershell -Command `
    Write-Host hello; `
    Write-Host world
WORKDIR C:\app
