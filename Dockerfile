FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
# WeasyPrint's system libraries and the CJK font the letters print with (docs/decisions/0016-letters-pdf-weasyprint.md).
COPY devtools/ensure_print.sh devtools/
RUN sh devtools/ensure_print.sh && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN python -m devtools.compile_messages
EXPOSE 8000
CMD ["bin/start", "web"]
